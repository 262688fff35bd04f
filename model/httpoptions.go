package model

import "fmt"

// CertStoreLocation is BG_CERT_STORE_LOCATION: the system store a client
// certificate is looked up in.
type CertStoreLocation uint32

// The BG_CERT_STORE_LOCATION values.
const (
	BG_CERT_STORE_LOCATION_CURRENT_USER               CertStoreLocation = 0
	BG_CERT_STORE_LOCATION_LOCAL_MACHINE              CertStoreLocation = 1
	BG_CERT_STORE_LOCATION_CURRENT_SERVICE            CertStoreLocation = 2
	BG_CERT_STORE_LOCATION_SERVICES                   CertStoreLocation = 3
	BG_CERT_STORE_LOCATION_USERS                      CertStoreLocation = 4
	BG_CERT_STORE_LOCATION_CURRENT_USER_GROUP_POLICY  CertStoreLocation = 5
	BG_CERT_STORE_LOCATION_LOCAL_MACHINE_GROUP_POLICY CertStoreLocation = 6
	BG_CERT_STORE_LOCATION_LOCAL_MACHINE_ENTERPRISE   CertStoreLocation = 7
)

// Valid reports whether l is a defined BG_CERT_STORE_LOCATION.
func (l CertStoreLocation) Valid() bool { return l <= BG_CERT_STORE_LOCATION_LOCAL_MACHINE_ENTERPRISE }

// ClientCertificate identifies the client certificate of a job
// (IBackgroundCopyJobHttpOptions::GetClientCertificate).
type ClientCertificate struct {
	StoreLocation CertStoreLocation
	StoreName     string
	SubjectName   string
}

// JobHTTPOptions is the part of IBackgroundCopyJobHttpOptions (BITS 2.5
// and later) that sets custom HTTP headers and a client certificate. A
// backend's Job implements it when the backend supports it; check with a
// type assertion. Only the job's owner may call these methods, and
// TakeOwnership removes what they set (SEC-TAKEOWNERSHIP-REMOVES-SECRETS).
type JobHTTPOptions interface {
	// SetCustomHeaders sets the headers added to every HTTP request, each
	// ended by CR/LF; "" removes them (BITS's NULL). More than 16,383
	// characters fail with BG_E_STRING_TOO_LONG.
	SetCustomHeaders(headers string) error
	// GetCustomHeaders returns the custom headers, "" when the job has none
	// (BITS answers S_FALSE).
	GetCustomHeaders() (string, error)
	// SetClientCertificateByName selects the client certificate by store
	// and subject name.
	SetClientCertificateByName(location CertStoreLocation, storeName, subjectName string) error
	// GetClientCertificate returns the client certificate; a job without one
	// fails with RPC_X_BAD_STUB_DATA.
	GetClientCertificate() (ClientCertificate, error)
	// RemoveClientCertificate removes the client certificate.
	RemoveClientCertificate() error
}

// AuthTarget is BG_AUTH_TARGET: whether credentials are for the server or
// a proxy.
type AuthTarget uint32

// Valid reports whether t is a defined BG_AUTH_TARGET.
func (t AuthTarget) Valid() bool { return t == BG_AUTH_TARGET_SERVER || t == BG_AUTH_TARGET_PROXY }

// The BG_AUTH_TARGET values.
const (
	BG_AUTH_TARGET_SERVER AuthTarget = 1
	BG_AUTH_TARGET_PROXY  AuthTarget = 2
)

// AuthScheme is BG_AUTH_SCHEME: the authentication scheme of credentials.
type AuthScheme uint32

// Valid reports whether s is a defined BG_AUTH_SCHEME.
func (s AuthScheme) Valid() bool { return s >= BG_AUTH_SCHEME_BASIC && s <= BG_AUTH_SCHEME_PASSPORT }

// The BG_AUTH_SCHEME values.
const (
	BG_AUTH_SCHEME_BASIC     AuthScheme = 1
	BG_AUTH_SCHEME_DIGEST    AuthScheme = 2
	BG_AUTH_SCHEME_NTLM      AuthScheme = 3
	BG_AUTH_SCHEME_NEGOTIATE AuthScheme = 4
	BG_AUTH_SCHEME_PASSPORT  AuthScheme = 5
)

// Credentials are BG_AUTH_CREDENTIALS with a user name and password.
type Credentials struct {
	Target   AuthTarget
	Scheme   AuthScheme
	UserName string
	Password string
}

// String prints the target and scheme, never the secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("credentials(target %d, scheme %d)", c.Target, c.Scheme)
}

// JobCredentials is the credentials part of IBackgroundCopyJob2 (BITS 1.5
// and later). There is no method to read credentials back; RemoveCredentials
// reports whether a pair was set. A backend's Job implements it when the
// backend supports it; check with a type assertion.
type JobCredentials interface {
	// SetCredentials sets (or replaces) the credentials of one target and
	// scheme pair. A target or scheme outside the enumerations fails with
	// BG_E_INVALID_AUTH_TARGET or BG_E_INVALID_AUTH_SCHEME, a user name or
	// password over 300 characters with BG_E_USERNAME_TOO_LARGE or
	// BG_E_PASSWORD_TOO_LARGE.
	SetCredentials(c Credentials) error
	// RemoveCredentials removes the credentials of the pair: S_OK when they
	// were set, S_FALSE when none were.
	RemoveCredentials(target AuthTarget, scheme AuthScheme) (HRESULT, error)
}
