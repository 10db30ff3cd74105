#!/usr/bin/python3
"""A tray host for the desktop tests, on the session bus of DBUS_SESSION_BUS_ADDRESS.

  tray_host.py watch                    be the StatusNotifierWatcher with one host registered;
                                        print {"ready": true}, then one JSON line per item
                                        that registers ({"service", "path"}); run until killed
  tray_host.py show SERVICE PATH        print the item's icon, status and menu (dbusmenu
                                        GetLayout) as JSON
  tray_host.py click SERVICE PATH TEXT  send "clicked" to the menu entry labelled TEXT (else
                                        the one label containing it); print its label
  tray_host.py window PID               print the X window of process PID titled "Patchbay"
                                        and whether it is mapped ({"window", "mapped"}; a
                                        window never shown may not exist: null, false)
  tray_host.py close PID                send that window WM_DELETE_WINDOW, as a window manager
                                        does when the user closes it

Debian's python3-dbus, python3-gi and python3-xlib (scripts/setup.sh --test installs them).
"""

import json
import os
import sys
import time

import dbus
import dbus.service

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


def out(obj):
    print(json.dumps(obj), flush=True)


def watch():
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()

    class Watcher(dbus.service.Object):
        def __init__(self):
            self.items = []
            super().__init__(bus, "/StatusNotifierWatcher")

        @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
        def RegisterStatusNotifierItem(self, service, sender=None):
            if service.startswith("/"):
                name, path = sender, service
            else:
                name, path = service, "/StatusNotifierItem"
            self.items.append(f"{name}{path}")
            out({"service": name, "path": path})
            self.StatusNotifierItemRegistered(f"{name}{path}")

        @dbus.service.method(WATCHER, in_signature="s")
        def RegisterStatusNotifierHost(self, service):
            pass

        @dbus.service.signal(WATCHER, signature="s")
        def StatusNotifierItemRegistered(self, item):
            pass

        @dbus.service.signal(WATCHER, signature="")
        def StatusNotifierHostRegistered(self):
            pass

        @dbus.service.method(
            dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v"
        )
        def Get(self, iface, prop):
            return self.GetAll(iface)[prop]

        @dbus.service.method(
            dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}"
        )
        def GetAll(self, iface):
            return {
                "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
                "IsStatusNotifierHostRegistered": dbus.Boolean(True),
                "ProtocolVersion": dbus.Int32(0),
            }

    watcher = Watcher()
    # The host's own name, as a panel holds one.
    host = dbus.service.BusName(f"org.kde.StatusNotifierHost-{os.getpid()}", bus)
    name = dbus.service.BusName(WATCHER, bus, do_not_queue=True)
    watcher.StatusNotifierHostRegistered()
    out({"ready": True, "watcher": name.get_name(), "host": host.get_name()})
    GLib.MainLoop().run()


def layout(bus, service, path):
    item = bus.get_object(service, path)
    props = dbus.Interface(item, dbus.PROPERTIES_IFACE)
    menu_path = props.Get(ITEM, "Menu")
    menu = dbus.Interface(bus.get_object(service, menu_path), MENU)
    _rev, root = menu.GetLayout(0, -1, dbus.Array([], signature="s"))
    entries = []
    for child in root[2]:
        cid, cprops, _ = child
        entries.append(
            {
                "id": int(cid),
                "label": str(cprops.get("label", "")),
                "type": str(cprops.get("type", "standard")),
                "enabled": bool(cprops.get("enabled", True)),
                "visible": bool(cprops.get("visible", True)),
                "toggle": str(cprops.get("toggle-type", "")),
                "checked": int(cprops.get("toggle-state", -1)) == 1,
            }
        )
    return props, menu, entries


def show(service, path):
    bus = dbus.SessionBus()
    props, _menu, entries = layout(bus, service, path)
    out(
        {
            "icon": str(props.Get(ITEM, "IconName")),
            "iconThemePath": str(props.Get(ITEM, "IconThemePath")),
            "status": str(props.Get(ITEM, "Status")),
            "menu": [e for e in entries if e["visible"]],
        }
    )


def click(service, path, text):
    bus = dbus.SessionBus()
    _props, menu, entries = layout(bus, service, path)
    visible = [e for e in entries if e["visible"] and e["type"] != "separator"]
    exact = [e for e in visible if e["label"] == text]
    within = [e for e in visible if text in e["label"]]
    chosen = exact or (within if len(within) == 1 else [])
    if chosen:
        e = chosen[0]
        menu.Event(
            dbus.Int32(e["id"]),
            "clicked",
            dbus.Int32(0, variant_level=1),
            dbus.UInt32(int(time.time())),
        )
        out({"clicked": e["label"]})
        return
    sys.exit(f"no one menu entry is or contains {text!r}: {[e['label'] for e in visible]}")


def app_window(pid, must=True):
    from Xlib import X, display

    d = display.Display()
    net_pid = d.intern_atom("_NET_WM_PID")
    net_name = d.intern_atom("_NET_WM_NAME")
    utf8 = d.intern_atom("UTF8_STRING")
    found = []

    def walk(w):
        for child in w.query_tree().children:
            p = child.get_full_property(net_pid, X.AnyPropertyType)
            if p is not None and int(p.value[0]) == pid:
                n = child.get_full_property(net_name, utf8)
                name = n.value.decode() if n is not None else (child.get_wm_name() or "")
                if name == "Patchbay":
                    found.append(child)
            walk(child)

    walk(d.screen().root)
    if not found and not must:
        return d, None
    if len(found) != 1:
        sys.exit(f"wanted one window titled Patchbay of pid {pid}, found {len(found)}")
    return d, found[0]


def window(pid):
    from Xlib import X

    _d, w = app_window(pid, must=False)
    if w is None:
        out({"window": None, "mapped": False})
        return
    out({"window": w.id, "mapped": w.get_attributes().map_state == X.IsViewable})


def close(pid):
    from Xlib import X, protocol

    d, w = app_window(pid)
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    if delete not in (w.get_wm_protocols() or []):
        sys.exit(f"window {w.id} does not take WM_DELETE_WINDOW")
    event = protocol.event.ClientMessage(
        window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
    )
    w.send_event(event, event_mask=X.NoEventMask)
    d.sync()
    out({"closed": w.id})


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "watch":
        watch()
    elif cmd == "show" and len(sys.argv) == 4:
        show(sys.argv[2], sys.argv[3])
    elif cmd == "click" and len(sys.argv) == 5:
        click(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "window" and len(sys.argv) == 3:
        window(int(sys.argv[2]))
    elif cmd == "close" and len(sys.argv) == 3:
        close(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
