package preview

import (
	"strings"
	"testing"
)

// FuzzOf: any bytes give a valid preview (UTF-8, bounded, no control
// characters, white space collapsed) without a panic.
func FuzzOf(f *testing.F) {
	for _, s := range []string{
		"Subject: x\r\n\r\nhello\r\n",
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>a&amp;b<!-- c --><script>d</script>&#x41;&#0;&#xD800;&#99999999;</p>",
		"Content-Type: text/plain; charset=iso-2022-jp\r\nContent-Transfer-Encoding: base64\r\n\r\nGyRCJUYlOSVIGyhC\r\n",
		"Content-Type: text/plain; charset=bogus\r\nContent-Transfer-Encoding: x-unknown\r\n\r\n\x00\xff\xfe\r\n",
		"Content-Type: text/plain; charset=utf-16\r\n\r\n\xff\xfeh\x00i\x00",
		"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ndeep\r\n--b--\r\n--a--\r\n",
		"Content-Type: multipart/digest; boundary=a\r\n\r\n--a\r\n\r\nSubject: in\r\n\r\nx\r\n--a--\r\n",
		"Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<a href=3D\"x>y\">=E9=\r\n</a" + strings.Repeat("x", 5000),
		"no header at all",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		checkPreview(t, of(msg))
	})
}
