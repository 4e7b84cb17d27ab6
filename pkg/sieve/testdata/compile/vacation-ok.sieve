# ok
require ["vacation", "vacation-seconds"];
vacation :days 3 :subject "Away" :from "me@example.com" :addresses ["me@example.com", "me2@example.com"] :mime :handle "h1" "I am away";
