# error 2:11 :count requires extension "relational"
if header :count "gt" "X" "1" { keep; }
