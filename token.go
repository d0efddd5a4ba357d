package narvik

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
)

// tokenBytes is narvik's token entropy: 20 random bytes, 160 bits, above the
// 112-120 bits that current guidance asks of session tokens.
const tokenBytes = 20

// TokenLength is the length of every token narvik issues: 20 bytes in base32
// without padding.
const TokenLength = 32

// lowerBase32 is RFC 4648 base32 with a lowercase alphabet and no padding,
// byte for byte what narvik's encodeBase32LowerCaseNoPadding produces.
var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// generateToken returns a new random token from crypto/rand.
func generateToken() (string, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return lowerBase32.EncodeToString(b[:]), nil
}

// SessionIDFromToken returns the session ID for a token: the lowercase hex
// SHA-256 of the token. Only this ID reaches the store; the token itself is
// never stored, so a copy of the database cannot be replayed as cookies.
func SessionIDFromToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	// hex.Encode, on arrays whose sizes let the compiler drop the bounds
	// checks: a third of its instructions, on the path of every request.
	const digits = "0123456789abcdef"
	var buf [2 * sha256.Size]byte
	for i, b := range sum {
		buf[2*i] = digits[b>>4]
		buf[2*i+1] = digits[b&15]
	}
	return string(buf[:])
}

// wellFormedToken reports whether token has the shape of a token narvik
// issues: exactly 32 characters of [a-z2-7]. Anything else cannot name a
// session, so the core answers it without asking the store.
func wellFormedToken(token string) bool {
	if len(token) != TokenLength {
		return false
	}
	for i := 0; i < len(token); i++ {
		// Unsigned wrap-around: c-'a' < 26 exactly when c is in a-z.
		if c := token[i]; c-'a' >= 26 && c-'2' >= 6 {
			return false
		}
	}
	return true
}
