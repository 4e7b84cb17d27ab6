# error 2:22 expected "," or "]"
if header ["Subject" "To"] "x" { keep; }
