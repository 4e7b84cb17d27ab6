# error 3:13 unknown envelope part "cc"
require "envelope";
if envelope "cc" "a@b" { keep; }
