# error 2:10 unterminated string
redirect "bob@example.com;
