# error 3:41 does not support :contains
require "comparator-i;ascii-numeric";
if header :comparator "i;ascii-numeric" :contains "X" "1" { keep; }
