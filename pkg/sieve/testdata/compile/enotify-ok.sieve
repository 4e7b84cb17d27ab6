# ok
require ["enotify", "variables", "relational", "comparator-i;ascii-numeric"];
if valid_notify_method ["mailto:a@example.com", "xmpp:b@example.com"] { keep; }
if notify_method_capability :comparator "i;ascii-casemap" :is "mailto:a@example.com" "Online" ["yes", "maybe"] { keep; }
set :encodeurl "s" "a&b";
set :lower :encodeurl "t" "A B";
notify :from "me@example.com" :importance "1" :options ["x"] :message "hi ${s}" "mailto:a@example.com?subject=${s}";
notify "${t}";
