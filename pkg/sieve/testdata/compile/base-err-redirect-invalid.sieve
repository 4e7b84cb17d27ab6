# error 2:10 invalid redirect address
redirect "not an address";
