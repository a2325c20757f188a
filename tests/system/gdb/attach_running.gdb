monitor time
kill
