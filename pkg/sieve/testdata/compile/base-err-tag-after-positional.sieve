# error 2:21 tagged argument :is after positional
if header "Subject" :is "x" { keep; }
