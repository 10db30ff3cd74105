/** uPlot, loaded after the language guard (`./locale.ts`): import it from here, not "uplot". */
import "./locale";

import uPlot from "uplot";

export default uPlot;
