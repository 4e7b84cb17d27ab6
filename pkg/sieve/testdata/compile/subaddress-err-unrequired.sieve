# error 2:12 :detail requires extension "subaddress"
if address :detail "To" "x" { keep; }
