// Package tlstest serves HTTPS on the loopback interface under real host names, for tests
// of code that reads from hosts such as s3.<region>.amazonaws.com: a certificate
// authority made for the test signs the server's certificate, and a dialer sends the
// connections for the listed hosts to the loopback listener. URLs keep their real host
// and no port, so what the code under test computes is used unchanged, and nothing
// leaves the machine.
package tlstest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// CA is a certificate authority that exists only for one test.
type CA struct {
	Cert *x509.Certificate
	// PEM is the CA certificate, as a caBundle or a trust store file holds it.
	PEM    []byte
	key    crypto.Signer
	serial int64
}

// NewCA makes a CA, valid from an hour ago for a day, named commonName.
func NewCA(t testing.TB, commonName string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: commonName},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{
		Cert:   cert,
		PEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:    key,
		serial: 1,
	}
}

// Pool is a trust store holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// Validity is when a server certificate is valid.
type Validity struct{ NotBefore, NotAfter time.Time }

// Current is a validity that includes the whole test: from an hour ago for a day.
func Current() Validity {
	now := time.Now()
	return Validity{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}
}

// Expired is a validity that ended an hour ago.
func Expired() Validity {
	now := time.Now()
	return Validity{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}
}

// ServerCertificate issues a server certificate for names (host names, or IP addresses
// written as such), the first also being the subject's common name.
func (ca *CA) ServerCertificate(t testing.TB, validity Validity, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca.serial++
	template := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: validity.NotBefore, NotAfter: validity.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, name := range names {
		if ip := net.ParseIP(name); ip != nil {
			template.IPAddresses = append(template.IPAddresses, ip)
		} else {
			template.DNSNames = append(template.DNSNames, name)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.Cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Serve starts an HTTPS server for handler that presents cert, on loopback, closed when
// the test ends.
func Serve(t testing.TB, handler http.Handler, cert tls.Certificate) *httptest.Server {
	t.Helper()
	return serve(t, httptest.NewUnstartedServer(handler), cert)
}

// ServeListener is Serve on a listener of the caller's, for a server that must hold a
// fixed address (port 443 inside a test's own network namespace).
func ServeListener(t testing.TB, listener net.Listener, handler http.Handler, cert tls.Certificate) *httptest.Server {
	t.Helper()
	server := httptest.NewUnstartedServer(handler)
	server.Listener.Close()
	server.Listener = listener
	return serve(t, server, cert)
}

func serve(t testing.TB, server *httptest.Server, cert tls.Certificate) *httptest.Server {
	t.Helper()
	server.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// Handshakes the tests make fail on purpose are not worth a log line.
	server.Config.ErrorLog = log.New(io.Discard, "", 0)
	server.StartTLS()
	t.Cleanup(server.Close)
	if host, _, _ := net.SplitHostPort(server.Listener.Addr().String()); !net.ParseIP(host).IsLoopback() {
		t.Fatalf("test server listens on %s, not loopback", host)
	}
	return server
}

// DialFunc is the shape of net.Dialer.DialContext and http.Transport.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Dialer dials server for port 443 of each of hosts and refuses every other address, so
// a client can reach nothing but the test server.
func Dialer(server *httptest.Server, hosts ...string) DialFunc {
	var dialer net.Dialer
	return func(ctx context.Context, _, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil || port != "443" || !slices.Contains(hosts, host) {
			return nil, fmt.Errorf("test client may reach only port 443 of %v, not %s", hosts, address)
		}
		return dialer.DialContext(ctx, "tcp", server.Listener.Addr().String())
	}
}

// Client is an HTTPS client that trusts only roots (nil: the system's trust store), dials
// with dial, and never uses a proxy from the environment.
func Client(t testing.TB, roots *x509.CertPool, dial DialFunc) *http.Client {
	transport := &http.Transport{
		Proxy:           nil,
		DialContext:     dial,
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Transport: transport, Timeout: time.Minute}
}
