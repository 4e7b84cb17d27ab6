# ok
require ["date", "relational", "index", "variables"];
if date :value "ge" :originalzone "Date" "hour" "09" { keep; }
if currentdate :zone "+0100" :is "weekday" "0" { discard; }
if date :index 1 :last "Received" "year" "2025" { keep; }
if header :index 2 "Received" "x" { keep; }
if currentdate :matches "date" "*" { set "today" "${0}"; }
