# ok
require ["relational", "comparator-i;ascii-numeric"];
if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "5" { discard; }
if address :count "gt" :comparator "i;ascii-numeric" ["To", "Cc"] "5" { discard; }
