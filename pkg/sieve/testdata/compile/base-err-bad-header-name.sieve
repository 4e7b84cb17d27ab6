# error 2:11 invalid header name
if header "Sub ject" "x" { keep; }
