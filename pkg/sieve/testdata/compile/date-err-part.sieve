# error 3:20 unknown date part "fortnight"
require "date";
if currentdate :is "fortnight" "1" { keep; }
