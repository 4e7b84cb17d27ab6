# error 2:7 unterminated comment
keep; /* never ends
