# error 3:8 unsupported notification method "xmpp"
require "enotify";
notify "xmpp:romeo@example.net";
