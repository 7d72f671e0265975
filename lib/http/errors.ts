// The one HTTP error type lives below every layer (lib/alerts throws it too); routes import it from here.
export * from "../errors/http-error";
