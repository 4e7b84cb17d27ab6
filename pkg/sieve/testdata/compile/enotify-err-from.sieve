# error 3:14 invalid :from address
require "enotify";
notify :from "not@" "mailto:a@example.com";
