//! The TLS settings of the http client, with the system's root certificates read at the
//! first TLS handshake instead of when the client is made.
//!
//! Reading and parsing the roots (about 150 certificates here) took about 10 ms, before the
//! first request could go out, on every start: a source served over plain http never needs
//! them. A machine without any root certificates can still fetch plain http sources; an
//! https source then fails with the reason.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error, SignatureScheme};
use rustls_platform_verifier::Verifier;

/// The client's TLS settings: HTTP/1.1, the default protocol versions of `provider`, and
/// the platform's verifier made on first use.
pub fn client_config(provider: Arc<CryptoProvider>) -> Result<rustls::ClientConfig, Error> {
    let verifier = Arc::new(LazyRoots::new(provider.clone()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The platform's certificate verifier, made (and the roots read) when a server's
/// certificate is first checked.
#[derive(Debug)]
pub struct LazyRoots {
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<Verifier, Error>>,
}

impl LazyRoots {
    pub fn new(provider: Arc<CryptoProvider>) -> LazyRoots {
        LazyRoots {
            provider,
            verifier: OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&Verifier, Error> {
        self.verifier
            .get_or_init(|| Verifier::new(self.provider.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Whether the roots were read.
    #[cfg(test)]
    fn loaded(&self) -> bool {
        self.verifier.get().is_some()
    }
}

impl ServerCertVerifier for LazyRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        self.get()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.get()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.get()?.verify_tls13_signature(message, cert, dss)
    }

    /// Asked for every handshake's first message: the provider answers it without roots.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    #[test]
    fn the_roots_are_read_only_when_a_certificate_is_checked() {
        let roots = LazyRoots::new(provider());
        assert!(!roots.supported_verify_schemes().is_empty());
        assert!(!roots.loaded());
        let name = ServerName::try_from("example.org").unwrap();
        let junk = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        let checked = roots.verify_server_cert(&junk, &[], &name, &[], UnixTime::now());
        // Refused either way: no roots on this machine, or a certificate that is not one.
        assert!(checked.is_err());
        assert!(roots.loaded());
    }

    #[test]
    fn the_client_speaks_http_1_1_and_offers_the_providers_schemes() {
        let config = client_config(provider()).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(config.enable_sni);
    }
}
