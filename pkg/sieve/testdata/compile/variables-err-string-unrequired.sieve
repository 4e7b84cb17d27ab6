# error 2:4 requires extension "variables"
if string "a" "b" { keep; }
