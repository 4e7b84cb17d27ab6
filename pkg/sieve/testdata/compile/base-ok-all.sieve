# ok
/* bracket
   comment */
if allof (header :is "Subject" "x", not exists "X-Foo", size :over 10K, true) {
  keep;
} elsif anyof (address :domain :is "From" "example.com", false) {
  discard; stop;
} else {
  redirect "bob@example.com";
}
if header :comparator "i;octet" :matches "Subject" ["a*", "b?"] { keep; }
if address :localpart :contains ["To", "Cc"] "x" { discard; }
