# ok
require ["regex", "variables", "fileinto"];
if header :regex "Subject" "^\\[([a-z]+)\\]" { fileinto "${1}"; }
if address :regex :domain "From" "(foo|bar)\\.com$" { discard; }
