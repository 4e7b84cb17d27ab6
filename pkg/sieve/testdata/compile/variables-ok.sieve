# ok
require ["variables", "fileinto"];
set :lower :upperfirst "name" "${1}";
if header :matches "List-Id" "*<*@*" { fileinto "INBOX.lists.${2}"; }
if string :is "${name}" "" { keep; }
