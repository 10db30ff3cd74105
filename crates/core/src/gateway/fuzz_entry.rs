//! The gateway's parsers of what local clients send, as fuzz entry points (see
//! `crate::fuzz_entry`; the HTTP endpoints themselves are driven by `gateway::fuzz`).

/// A Client ID Metadata Document: the client id URL, a NUL, the document.
pub fn client_id_metadata_document(data: &[u8]) {
    let (id, doc) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    if let Ok(u) = super::cimd::checked_url(&String::from_utf8_lossy(id)) {
        assert_eq!(u.scheme(), "https", "a client id URL that is not https");
        if let Ok((_, uris)) = super::cimd::parse(&u, doc) {
            assert!(
                !uris.is_empty(),
                "a document accepted without redirect URIs"
            );
        }
    }
}
