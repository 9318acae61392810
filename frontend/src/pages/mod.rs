pub mod certificates;
pub mod collect;
pub mod desk;
pub mod home;
pub mod request;
pub mod signin;
