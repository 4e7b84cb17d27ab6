# ok
require ["subaddress", "envelope", "fileinto"];
if envelope :detail "to" "lists" { fileinto "lists"; }
if address :user "To" "bob" { keep; }
