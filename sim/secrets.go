package sim

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Limits of the credentials, headers and certificate names, in UTF-16
// code units without the terminating NUL.
const (
	maxCredential    = 300   // BG_BASIC_CREDENTIALS user name and password
	maxCustomHeaders = 16383 // SetCustomHeaders: 16,384 with the NUL
	maxCertName      = 255   // SetClientCertificateByName: 256 with the NUL
)

// jobSecrets are what a job's owner sets for authentication: credentials,
// custom HTTP headers and a client certificate. TakeOwnership removes them
// all (SEC-TAKEOWNERSHIP-REMOVES-SECRETS). The simulator keeps them for
// the life of the service only: they are not in the persisted record, so a
// Restart drops them, where BITS keeps them for the life of the job.
type jobSecrets struct {
	headers string
	cert    *model.ClientCertificate
	creds   map[credKey]model.Credentials
}

type credKey struct {
	target model.AuthTarget
	scheme model.AuthScheme
}

var (
	_ model.JobHTTPOptions = (*jobHandle)(nil)
	_ model.JobCredentials = (*jobHandle)(nil)
)

// secretsOf returns j's secrets, creating them; s.mu is held.
func (j *job) secretsOf() *jobSecrets {
	x := j.more()
	if x.secrets == nil {
		x.secrets = &jobSecrets{}
	}
	return x.secrets
}

// secretsIfAny returns j's secrets, nil for none; s.mu is held.
func (j *job) secretsIfAny() *jobSecrets {
	if j.extra == nil {
		return nil
	}
	return j.extra.secrets
}

// ownerOnly fails with E_ACCESSDENIED unless the caller owns the job: only
// the owner may set or read these, administrators included; s.mu is held.
func (h *jobHandle) ownerOnly(j *job) error {
	if !h.app.user.Same(j.rec.Owner) {
		return fmt.Errorf("only the job's owner %q may: %w", j.rec.Owner.Name, model.E_ACCESSDENIED)
	}
	return nil
}

// httpOptions fails with E_NOINTERFACE before BITS 2.5, which introduced
// IBackgroundCopyJobHttpOptions.
func (h *jobHandle) httpOptions(op string) error {
	if h.s.opts.Version < model.BITS2_5 {
		return fmt.Errorf("%s: IBackgroundCopyJobHttpOptions needs BITS 2.5: %w", op, model.E_NOINTERFACE)
	}
	return nil
}

// SetCustomHeaders sets the job's custom HTTP headers; "" removes them.
func (h *jobHandle) SetCustomHeaders(headers string) error {
	if err := h.httpOptions("SetCustomHeaders"); err != nil {
		return err
	}
	return h.do("SetCustomHeaders", true, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		if rules.Len16(headers) > maxCustomHeaders {
			return model.BG_E_STRING_TOO_LONG
		}
		j.secretsOf().headers = headers
		h.s.touch(j)
		return nil
	})
}

// GetCustomHeaders returns the job's custom headers, "" for none.
func (h *jobHandle) GetCustomHeaders() (headers string, err error) {
	if err := h.httpOptions("GetCustomHeaders"); err != nil {
		return "", err
	}
	err = h.do("GetCustomHeaders", false, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		if sec := j.secretsIfAny(); sec != nil {
			headers = sec.headers
		}
		return nil
	})
	return headers, err
}

// SetClientCertificateByName selects the job's client certificate. The
// simulator has no certificate stores: a store and subject name that BITS
// accepts always name a certificate.
func (h *jobHandle) SetClientCertificateByName(location model.CertStoreLocation, storeName, subjectName string) error {
	if err := h.httpOptions("SetClientCertificateByName"); err != nil {
		return err
	}
	return h.do("SetClientCertificateByName", true, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		switch {
		case !location.Valid():
			return fmt.Errorf("store location %d: %w", location, model.E_NOTIMPL)
		case rules.Len16(storeName) > maxCertName || rules.Len16(subjectName) > maxCertName:
			return model.BG_E_STRING_TOO_LONG
		case storeName == "":
			return fmt.Errorf("no store named %q: %w", storeName, model.HRESULTFromWin32(2)) // ERROR_FILE_NOT_FOUND
		case subjectName == "":
			return fmt.Errorf("an empty subject name: %w", model.E_INVALIDARG)
		}
		j.secretsOf().cert = &model.ClientCertificate{StoreLocation: location, StoreName: storeName, SubjectName: subjectName}
		h.s.touch(j)
		return nil
	})
}

// GetClientCertificate returns the job's client certificate, or
// RPC_X_BAD_STUB_DATA when it has none.
func (h *jobHandle) GetClientCertificate() (c model.ClientCertificate, err error) {
	if err := h.httpOptions("GetClientCertificate"); err != nil {
		return c, err
	}
	err = h.do("GetClientCertificate", false, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		sec := j.secretsIfAny()
		if sec == nil || sec.cert == nil {
			return fmt.Errorf("the job has no client certificate: %w", model.RPC_X_BAD_STUB_DATA)
		}
		c = *sec.cert
		return nil
	})
	return c, err
}

// RemoveClientCertificate removes the job's client certificate.
func (h *jobHandle) RemoveClientCertificate() error {
	if err := h.httpOptions("RemoveClientCertificate"); err != nil {
		return err
	}
	return h.do("RemoveClientCertificate", true, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		if sec := j.secretsIfAny(); sec != nil {
			sec.cert = nil
		}
		h.s.touch(j)
		return nil
	})
}

// SetCredentials sets the credentials of one target and scheme pair.
func (h *jobHandle) SetCredentials(c model.Credentials) error {
	return h.do("SetCredentials", true, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		switch {
		case !c.Target.Valid():
			return model.BG_E_INVALID_AUTH_TARGET
		case !c.Scheme.Valid():
			return model.BG_E_INVALID_AUTH_SCHEME
		case rules.Len16(c.UserName) > maxCredential:
			return model.BG_E_USERNAME_TOO_LARGE
		case rules.Len16(c.Password) > maxCredential:
			return model.BG_E_PASSWORD_TOO_LARGE
		}
		sec := j.secretsOf()
		if sec.creds == nil {
			sec.creds = map[credKey]model.Credentials{}
		}
		sec.creds[credKey{c.Target, c.Scheme}] = c
		h.s.touch(j)
		return nil
	})
}

// RemoveCredentials removes the credentials of one target and scheme
// pair: S_OK when they were set, S_FALSE when none were.
func (h *jobHandle) RemoveCredentials(target model.AuthTarget, scheme model.AuthScheme) (hr model.HRESULT, err error) {
	err = h.do("RemoveCredentials", true, func(j *job) error {
		if err := h.ownerOnly(j); err != nil {
			return err
		}
		hr = model.S_FALSE
		if sec := j.secretsIfAny(); sec != nil {
			if _, ok := sec.creds[credKey{target, scheme}]; ok {
				delete(sec.creds, credKey{target, scheme})
				hr = model.S_OK
				h.s.touch(j)
			}
		}
		return nil
	})
	return hr, err
}
