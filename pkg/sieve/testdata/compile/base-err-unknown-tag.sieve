# error 2:11 unknown tagged argument :foo
if header :foo "Subject" "x" { keep; }
