# error 2:4 requires extension "envelope"
if envelope "from" "a@b" { keep; }
