# error 2:15 :contains conflicts with :is
if header :is :contains "Subject" "x" { keep; }
