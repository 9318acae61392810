pub mod desk_filters;
pub mod download;
pub mod evidence_form;
pub mod health;
pub mod key_file_input;
pub mod labels;
pub mod p12_files;
pub mod pki_messages;
