# error 2:11 :index requires extension "index"
if header :index 1 "Received" "x" { keep; }
