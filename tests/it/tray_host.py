#!/usr/bin/python3
"""A tray host for the desktop tests, on the session bus of DBUS_SESSION_BUS_ADDRESS.

  tray_host.py watch                    be the StatusNotifierWatcher with one host registered;
                                        print {"ready": true}, then one JSON line per item
                                        that registers ({"service", "path"}); run until killed
  tray_host.py show SERVICE PATH        print the item's icon, status and menu (dbusmenu
                                        GetLayout) as JSON
  tray_host.py click SERVICE PATH TEXT  send "clicked" to the menu entry whose label starts
                                        with TEXT; print its label

Debian's python3-dbus and python3-gi (scripts/setup.sh --test installs them).
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
    # GTK menus put mnemonic underscores in labels.
    for e in entries:
        if e["visible"] and e["label"].replace("_", "").startswith(text):
            menu.Event(
                dbus.Int32(e["id"]),
                "clicked",
                dbus.Int32(0, variant_level=1),
                dbus.UInt32(int(time.time())),
            )
            out({"clicked": e["label"]})
            return
    sys.exit(f"no menu entry starts with {text!r}: {[e['label'] for e in entries]}")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "watch":
        watch()
    elif cmd == "show" and len(sys.argv) == 4:
        show(sys.argv[2], sys.argv[3])
    elif cmd == "click" and len(sys.argv) == 5:
        click(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
