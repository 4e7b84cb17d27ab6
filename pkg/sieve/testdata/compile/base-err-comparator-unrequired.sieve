# error 2:23 must be required
if header :comparator "i;ascii-numeric" :is "X" "1" { keep; }
