//! The server's certificate: a self-signed one made by `init` for the embedded default, or one
//! the administrator supplies. Devices trust it by its SHA-256 fingerprint, carried in every
//! enrolment code, so no certificate authority is needed.
use crate::error::ServerError;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

/// Makes a self-signed certificate for the given host names and addresses.
pub fn generate(names: &[String]) -> Result<(String, String), ServerError> {
    let ck = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| ServerError::Tls(format!("không tạo được chứng chỉ: {e}")))?;
    Ok((ck.cert.pem(), ck.signing_key.serialize_pem()))
}

fn certs(dir: &Path) -> Result<Vec<CertificateDer<'static>>, ServerError> {
    let path = dir.join(CERT_FILE);
    let certs = CertificateDer::pem_file_iter(&path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ServerError::Tls(format!("không đọc được {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ServerError::Tls(format!(
            "{} không chứa chứng chỉ nào",
            path.display()
        )));
    }
    Ok(certs)
}

/// SHA-256 of the leaf certificate: what enrolment codes pin.
pub fn fingerprint(dir: &Path) -> Result<[u8; 32], ServerError> {
    Ok(tinbao_sync::protocol::cert_fingerprint(&certs(dir)?[0]))
}

pub fn server_config(dir: &Path) -> Result<Arc<rustls::ServerConfig>, ServerError> {
    let certs = certs(dir)?;
    let key_path = dir.join(KEY_FILE);
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| ServerError::Tls(format!("không đọc được {}: {e}", key_path.display())))?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ServerError::Tls(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| ServerError::Tls(format!("chứng chỉ và khoá không khớp: {e}")))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}
