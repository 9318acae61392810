use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use certdesk::cli::{AuditCommand, Cli, Command};
use certdesk::config::Config;
use certdesk::server::{Server, shutdown_signal};
use certdesk::{Error, Result};

const EXAMPLE_CONFIG: &str = include_str!("../certdesk.example.toml");

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt.block_on(run(cli)),
        Err(e) => Err(Error::Io(e)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line a person can act on; the code makes it searchable.
            eprintln!("error: {e} [{}]", e.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve => {
            let config = Config::load(cli.config.as_deref())?;
            init_logging(&config.log);
            serve(config).await
        }
        Command::Init { output, force } => init(&output, force),
        Command::Operator(command) => {
            let config = Config::load(cli.config.as_deref())?;
            certdesk::operators::run(&config, command).await
        }
        Command::Audit(AuditCommand::Verify) => {
            let config = Config::load(cli.config.as_deref())?;
            certdesk::operators::verify_audit(&config).await
        }
        Command::Mailbox(command) => {
            let config = Config::load(cli.config.as_deref())?;
            certdesk::requests::cli::run_mailbox(&config, command).await
        }
        Command::Identity(command) => {
            let config = Config::load(cli.config.as_deref())?;
            certdesk::requests::cli::run_identity(&config, command).await
        }
        Command::Keygen(args) => certdesk::cli_pki::keygen(&args),
        Command::P12(args) => certdesk::cli_pki::p12(&args),
        Command::Ca(command) => {
            let config = Config::load(cli.config.as_deref())?;
            certdesk::ca::cli::run(&config, command).await
        }
    }
}

async fn serve(config: Config) -> Result<()> {
    let url = config.public_url.clone();
    let server = Server::prepare(config).await?;
    tracing::info!(listen = %server.local_addr()?, "certdesk {} started", certdesk::VERSION);
    println!("certdesk is running at {url}  (stop with Ctrl-C)");
    server.run(shutdown_signal()).await
}

fn init(output: &Path, force: bool) -> Result<()> {
    if output.exists() && !force {
        return Err(Error::Config(format!(
            "{} already exists; pass --force to replace it",
            output.display()
        )));
    }
    std::fs::write(output, EXAMPLE_CONFIG)?;
    let config = Config::load(Some(output))?;
    std::fs::create_dir_all(&config.data_dir).map_err(|e| Error::DataDir {
        path: config.data_dir.clone(),
        reason: format!("cannot create it: {e}"),
    })?;
    println!(
        "wrote {} and created the data directory {}",
        output.display(),
        config.data_dir.display()
    );
    Ok(())
}

fn init_logging(default: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}
