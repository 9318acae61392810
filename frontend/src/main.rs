fn main() {
    certdesk_frontend::start();
}
