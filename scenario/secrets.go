package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bitssim/bitssim/model"
)

// The statements of a job's secrets: custom HTTP headers and a client
// certificate (IBackgroundCopyJobHttpOptions, model.JobHTTPOptions) and
// credentials (IBackgroundCopyJob2, model.JobCredentials), and the
// expectations that read them back. A backend whose jobs have them
// declares harness.Capabilities.HTTPOptions; a script that uses them is
// skipped on any other.

// certLocationHint lists the store locations a script may name.
const certLocationHint = "use CURRENT_USER, LOCAL_MACHINE, CURRENT_SERVICE, SERVICES, USERS, CURRENT_USER_GROUP_POLICY, LOCAL_MACHINE_GROUP_POLICY, LOCAL_MACHINE_ENTERPRISE or a number"

var certLocations = map[string]model.CertStoreLocation{
	"CURRENT_USER": model.BG_CERT_STORE_LOCATION_CURRENT_USER, "LOCAL_MACHINE": model.BG_CERT_STORE_LOCATION_LOCAL_MACHINE,
	"CURRENT_SERVICE": model.BG_CERT_STORE_LOCATION_CURRENT_SERVICE, "SERVICES": model.BG_CERT_STORE_LOCATION_SERVICES,
	"USERS":                      model.BG_CERT_STORE_LOCATION_USERS,
	"CURRENT_USER_GROUP_POLICY":  model.BG_CERT_STORE_LOCATION_CURRENT_USER_GROUP_POLICY,
	"LOCAL_MACHINE_GROUP_POLICY": model.BG_CERT_STORE_LOCATION_LOCAL_MACHINE_GROUP_POLICY,
	"LOCAL_MACHINE_ENTERPRISE":   model.BG_CERT_STORE_LOCATION_LOCAL_MACHINE_ENTERPRISE,
}

// parseCertLocation reads a BG_CERT_STORE_LOCATION: its name, with or
// without the prefix, or a number (which may be one BITS refuses).
func parseCertLocation(s string) (model.CertStoreLocation, error) {
	name := strings.TrimPrefix(strings.ToUpper(s), "BG_CERT_STORE_LOCATION_")
	if l, ok := certLocations[name]; ok {
		return l, nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("unknown certificate store location %q", s)
	}
	return model.CertStoreLocation(n), nil
}

// parseAuth reads a BG_AUTH_TARGET (SERVER, PROXY) and a BG_AUTH_SCHEME
// (BASIC, DIGEST, NTLM, NEGOTIATE, PASSPORT), by name with or without
// their prefixes, or as numbers (which may be ones BITS refuses).
func parseAuth(target, scheme string) (model.AuthTarget, model.AuthScheme, error) {
	num := func(s string) (uint32, bool) {
		n, err := strconv.ParseUint(s, 0, 32)
		return uint32(n), err == nil
	}
	var t model.AuthTarget
	switch strings.TrimPrefix(strings.ToUpper(target), "BG_AUTH_TARGET_") {
	case "SERVER":
		t = model.BG_AUTH_TARGET_SERVER
	case "PROXY":
		t = model.BG_AUTH_TARGET_PROXY
	default:
		n, ok := num(target)
		if !ok {
			return 0, 0, fmt.Errorf("unknown authentication target %q", target)
		}
		t = model.AuthTarget(n)
	}
	schemes := map[string]model.AuthScheme{"BASIC": model.BG_AUTH_SCHEME_BASIC, "DIGEST": model.BG_AUTH_SCHEME_DIGEST,
		"NTLM": model.BG_AUTH_SCHEME_NTLM, "NEGOTIATE": model.BG_AUTH_SCHEME_NEGOTIATE, "PASSPORT": model.BG_AUTH_SCHEME_PASSPORT}
	sc, ok := schemes[strings.TrimPrefix(strings.ToUpper(scheme), "BG_AUTH_SCHEME_")]
	if !ok {
		n, ok := num(scheme)
		if !ok {
			return 0, 0, fmt.Errorf("unknown authentication scheme %q", scheme)
		}
		sc = model.AuthScheme(n)
	}
	return t, sc, nil
}

// buildHeaders is the custom headers of "HEADER... [length=N] [fill=C]":
// each header line ended by CR LF, and with length the last line padded
// with fill (one character; "a" by default) so that the whole is N
// characters (UTF-16 code units, as BITS counts them) with its CR LFs.
// "NULL" or "none" alone is no headers.
func buildHeaders(lines []string, length, fill string) (string, error) {
	if len(lines) == 1 && (lines[0] == "NULL" || strings.EqualFold(lines[0], "none")) {
		if length != "" {
			return "", errors.New("no headers have no length")
		}
		return "", nil
	}
	if len(lines) == 0 {
		return "", errors.New("write at least one header")
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return "", fmt.Errorf("a header is one line: %q", l)
		}
	}
	if length == "" {
		if fill != "" {
			return "", errors.New("fill= pads to a length=")
		}
		return strings.Join(lines, "\r\n") + "\r\n", nil
	}
	n, err := strconv.Atoi(length)
	if err != nil || n < 0 {
		return "", fmt.Errorf("length=%s is not a number of characters", length)
	}
	if fill == "" {
		fill = "a"
	}
	r, size := utf8.DecodeRuneInString(fill)
	if size != len(fill) || r == utf8.RuneError || utf16.RuneLen(r) != 1 || r == '\r' || r == '\n' {
		return "", fmt.Errorf("fill=%s is not one character", fill)
	}
	body := strings.Join(lines, "\r\n") + "\r\n"
	pad := n - utf16Len(body)
	if pad < 0 {
		return "", fmt.Errorf("the headers are %d characters already, more than length=%d", utf16Len(body), n)
	}
	return strings.Join(lines, "\r\n") + strings.Repeat(fill, pad) + "\r\n", nil
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(1, utf16.RuneLen(r))
	}
	return n
}

// headerArgs splits the words of a headers statement or expectation into
// its header lines and its length= and fill= options.
func headerArgs(words []token) (lines []string, length, fill string) {
	for _, w := range words {
		if !w.quoted {
			if v, ok := strings.CutPrefix(w.text, "length="); ok {
				length = v
				continue
			}
			if v, ok := strings.CutPrefix(w.text, "fill="); ok {
				fill = v
				continue
			}
		}
		lines = append(lines, w.text)
	}
	return lines, length, fill
}

// headers parses the value of "expect JOB headers HEADER... | none
// [length=N] [fill=C]".
func (p *parser) headers(line int, what token, rest []token) (string, error) {
	lines, length, fill := headerArgs(rest)
	h, err := buildHeaders(lines, length, fill)
	if err != nil {
		at := what
		if len(rest) > 0 {
			at = rest[len(rest)-1]
		}
		return "", p.err(line, at, err.Error(), `write e.g. expect job1 headers "X-Mine: 1" "X-Other: 2", or none`)
	}
	return h, nil
}

// shortText shows a long text by its length and its start, so that a
// failed check on 16,383 characters stays readable.
func shortText(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return strconv.Quote(s)
	}
	i := 0
	for k := range s {
		if i == 60 {
			return fmt.Sprintf("%d characters: %s…", utf16Len(s), strconv.Quote(s[:k]))
		}
		i++
	}
	return strconv.Quote(s)
}

// compareTexts returns want and got as a check shows them: equal when the
// texts are, shortened when long, and then saying where they part.
func compareTexts(want, got string) (string, string) {
	if want == got {
		return shortText(want), shortText(want)
	}
	w, g := shortText(want), shortText(got)
	if w == g {
		i := 0
		for i < len(want) && i < len(got) && want[i] == got[i] {
			i++
		}
		g += fmt.Sprintf(" (differs from byte %d)", i)
	}
	return w, g
}

// httpOptions returns h's IBackgroundCopyJobHttpOptions, or E_NOINTERFACE
// for a job without it.
func httpOptions(h model.Job) (model.JobHTTPOptions, error) {
	o, ok := h.(model.JobHTTPOptions)
	if !ok {
		return nil, fmt.Errorf("the backend's jobs have no IBackgroundCopyJobHttpOptions (model.JobHTTPOptions): %w", model.E_NOINTERFACE)
	}
	return o, nil
}

// credentials returns h's credentials methods, or E_NOINTERFACE.
func credentials(h model.Job) (model.JobCredentials, error) {
	c, ok := h.(model.JobCredentials)
	if !ok {
		return nil, fmt.Errorf("the backend's jobs have no credentials methods (model.JobCredentials): %w", model.E_NOINTERFACE)
	}
	return c, nil
}

// secretCall performs the secrets verbs; handled reports whether st was
// one. hr receives a success code other than S_OK.
func (r *runner) secretCall(st *Stmt, h model.Job, hr *model.HRESULT) (handled bool, err error) {
	a := st.Args
	switch st.Verb {
	case "setcustomheaders":
		o, err := httpOptions(h)
		if err != nil {
			return true, err
		}
		text, _ := buildHeaders(a[1:], st.opts["length"], st.opts["fill"]) // checked by the parser
		return true, o.SetCustomHeaders(text)
	case "setclientcert":
		o, err := httpOptions(h)
		if err != nil {
			return true, err
		}
		loc, _ := parseCertLocation(a[1])
		return true, o.SetClientCertificateByName(loc, a[2], a[3])
	case "removeclientcert":
		o, err := httpOptions(h)
		if err != nil {
			return true, err
		}
		return true, o.RemoveClientCertificate()
	case "setcredentials":
		c, err := credentials(h)
		if err != nil {
			return true, err
		}
		t, s, _ := parseAuth(a[1], a[2])
		return true, c.SetCredentials(model.Credentials{Target: t, Scheme: s, UserName: a[3], Password: a[4]})
	case "removecredentials":
		c, err := credentials(h)
		if err != nil {
			return true, err
		}
		t, s, _ := parseAuth(a[1], a[2])
		code, err := c.RemoveCredentials(t, s)
		if err == nil && code != model.S_OK {
			*hr = code
		}
		return true, err
	}
	return false, nil
}

// checkSecret validates the arguments of the secrets verbs.
func (p *parser) checkSecret(line int, st Stmt, pos []token) error {
	switch st.Verb {
	case "setcustomheaders":
		lines := make([]string, 0, len(pos)-1)
		for _, t := range pos[1:] {
			lines = append(lines, t.text)
		}
		if _, err := buildHeaders(lines, st.opts["length"], st.opts["fill"]); err != nil {
			return p.err(line, pos[len(pos)-1], err.Error(), `write e.g. APP: setcustomheaders job1 "X-Mine: 1" "X-Other: 2", or NULL`)
		}
	case "setclientcert":
		if _, err := parseCertLocation(pos[1].text); err != nil {
			return p.err(line, pos[1], err.Error(), certLocationHint)
		}
	case "setcredentials", "removecredentials":
		if _, _, err := parseAuth(pos[1].text, pos[2].text); err != nil {
			at := pos[1]
			if strings.Contains(err.Error(), "scheme") {
				at = pos[2]
			}
			return p.err(line, at, err.Error(), "write SERVER or PROXY, then BASIC, DIGEST, NTLM, NEGOTIATE or PASSPORT (or numbers)")
		}
	}
	return nil
}

// readSecret evaluates ExpectHeaders and ExpectClientCert through h.
func (r *runner) readSecret(e *Expectation, h model.Job) (want, got string) {
	o, err := httpOptions(h)
	if err != nil {
		return "IBackgroundCopyJobHttpOptions", err.Error()
	}
	if e.Kind == ExpectHeaders {
		g, err := o.GetCustomHeaders()
		if err != nil {
			return shortText(e.Value), err.Error()
		}
		return compareTexts(e.Value, g)
	}
	c, err := o.GetClientCertificate()
	if e.Cert == nil {
		want = "none (" + model.RPC_X_BAD_STUB_DATA.String() + ")"
		if errors.Is(err, model.RPC_X_BAD_STUB_DATA) {
			return want, want
		}
	} else {
		want = certString(*e.Cert)
	}
	if err != nil {
		return want, err.Error()
	}
	return want, certString(c)
}

func certString(c model.ClientCertificate) string {
	loc := fmt.Sprint(uint32(c.StoreLocation))
	for name, l := range certLocations {
		if l == c.StoreLocation {
			loc = name
		}
	}
	return fmt.Sprintf("%s %q %q", loc, c.StoreName, c.SubjectName)
}
