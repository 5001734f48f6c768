#!/usr/bin/python3
"""fake_udisks: a stand-in for udisks2 on a private D-Bus, for tests/test_udisks.c.

fake_udisks.py BUS_ADDRESS STATE_DIR [--busy] [--deny]

Owns org.freedesktop.UDisks2 on the bus at BUS_ADDRESS and exports, through the ObjectManager at
/org/freedesktop/UDisks2, what udisks2 shows for one USB stick (a Kingston drive, its partition
sdb1 labelled KINGSTON with a filesystem) and for the PC's own disk (sda1, a system disk, which
the kiosk must not offer). Every call is appended to STATE_DIR/calls as one line, "Method
key=value,..." with its options, so the test can check what was asked and in which order.
Mount makes STATE_DIR/mnt/KINGSTON and answers it; --deny makes Mount fail as polkit would
(NotAuthorized), --busy makes Unmount fail with DeviceBusy. STATE_DIR/ready appears once the name
is owned. Debian's python3 with python3-dbus and python3-gi.
"""
import os
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

UD = 'org.freedesktop.UDisks2'
ROOT = '/org/freedesktop/UDisks2'
STICK = ROOT + '/drives/Kingston_DataTraveler_3_0_1234'
SDB1 = ROOT + '/block_devices/sdb1'
DISK = ROOT + '/drives/Samsung_SSD_860_5678'
SDA1 = ROOT + '/block_devices/sda1'


class NotAuthorized(dbus.DBusException):
    _dbus_error_name = UD + '.Error.NotAuthorized'


class DeviceBusy(dbus.DBusException):
    _dbus_error_name = UD + '.Error.DeviceBusy'


def ay(text):
    return dbus.Array([dbus.Byte(b) for b in text.encode() + b'\0'], signature='y')


class Fake(dbus.service.Object):
    def __init__(self, bus, state, busy, deny):
        super().__init__(bus, ROOT)
        self.state, self.busy, self.deny = state, busy, deny
        self.mounted = ''
        # the partition and the drive are objects of their own, answering their own methods
        Part(bus, SDB1, self)
        Drive(bus, STICK, self)

    def record(self, method, options):
        opts = ','.join('%s=%s' % (k, bool(v) if isinstance(v, dbus.Boolean) else v)
                        for k, v in sorted(options.items()))
        with open(os.path.join(self.state, 'calls'), 'a') as f:
            f.write('%s %s\n' % (method, opts))

    @dbus.service.method('org.freedesktop.DBus.ObjectManager', in_signature='',
                         out_signature='a{oa{sa{sv}}}')
    def GetManagedObjects(self):
        mounts = dbus.Array([ay(self.mounted)] if self.mounted else [], signature='ay')
        return {
            dbus.ObjectPath(STICK): {
                UD + '.Drive': {'ConnectionBus': dbus.String('usb'),
                                'Removable': dbus.Boolean(True),
                                'MediaRemovable': dbus.Boolean(False),
                                'Vendor': dbus.String('Kingston'),
                                'Model': dbus.String('DataTraveler 3.0'),
                                'Size': dbus.UInt64(16008609792)}},
            dbus.ObjectPath(SDB1): {
                UD + '.Block': {'Device': ay('/dev/sdb1'),
                                'Drive': dbus.ObjectPath(STICK),
                                'IdLabel': dbus.String('KINGSTON'),
                                'IdUsage': dbus.String('filesystem'),
                                'Size': dbus.UInt64(16006512640),
                                'ReadOnly': dbus.Boolean(False),
                                'HintIgnore': dbus.Boolean(False),
                                'HintSystem': dbus.Boolean(False)},
                UD + '.Filesystem': {'MountPoints': mounts},
                UD + '.Partition': {'Number': dbus.UInt32(1)}},
            dbus.ObjectPath(DISK): {
                UD + '.Drive': {'ConnectionBus': dbus.String(''),
                                'Removable': dbus.Boolean(False),
                                'MediaRemovable': dbus.Boolean(False),
                                'Vendor': dbus.String(''),
                                'Model': dbus.String('Samsung SSD 860')}},
            dbus.ObjectPath(SDA1): {
                UD + '.Block': {'Device': ay('/dev/sda1'),
                                'Drive': dbus.ObjectPath(DISK),
                                'IdLabel': dbus.String(''),
                                'Size': dbus.UInt64(250059350016),
                                'ReadOnly': dbus.Boolean(False),
                                'HintIgnore': dbus.Boolean(False),
                                'HintSystem': dbus.Boolean(True)},
                UD + '.Filesystem': {'MountPoints': dbus.Array([ay('/')], signature='ay')}},
        }


class Part(dbus.service.Object):
    def __init__(self, bus, path, fake):
        super().__init__(bus, path)
        self.fake = fake

    @dbus.service.method(UD + '.Filesystem', in_signature='a{sv}', out_signature='s')
    def Mount(self, options):
        self.fake.record('Mount', options)
        if self.fake.deny:
            raise NotAuthorized('Not authorized to perform operation')
        path = os.path.join(self.fake.state, 'mnt', 'KINGSTON')
        os.makedirs(path, exist_ok=True)
        self.fake.mounted = path
        return path

    @dbus.service.method(UD + '.Filesystem', in_signature='a{sv}', out_signature='')
    def Unmount(self, options):
        self.fake.record('Unmount', options)
        if self.fake.busy:
            raise DeviceBusy('Error unmounting /dev/sdb1: target is busy')
        self.fake.mounted = ''


class Drive(dbus.service.Object):
    def __init__(self, bus, path, fake):
        super().__init__(bus, path)
        self.fake = fake

    @dbus.service.method(UD + '.Drive', in_signature='a{sv}', out_signature='')
    def PowerOff(self, options):
        self.fake.record('PowerOff', options)

    @dbus.service.method(UD + '.Drive', in_signature='a{sv}', out_signature='')
    def Eject(self, options):
        self.fake.record('Eject', options)


def main():
    address, state = sys.argv[1], sys.argv[2]
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    name = dbus.service.BusName(UD, bus)  # noqa: F841 (kept alive: owns the name)
    Fake(bus, state, '--busy' in sys.argv, '--deny' in sys.argv)
    open(os.path.join(state, 'ready'), 'w').close()
    GLib.MainLoop().run()


if __name__ == '__main__':
    main()
