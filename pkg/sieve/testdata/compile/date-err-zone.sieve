# error 3:22 invalid time zone "CET"
require "date";
if currentdate :zone "CET" "hour" "1" { keep; }
