# error 3:18 unknown relational operator "gx"
require "relational";
if header :value "gx" "X" "1" { keep; }
