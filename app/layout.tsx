import type { Metadata } from "next";
import type { ReactNode } from "react";

export const metadata: Metadata = {
  title: "Training Alerts",
  description: "Alerts for ML training jobs by email, Slack, Discord and signed webhooks",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body
        style={{
          fontFamily: "system-ui, sans-serif",
          margin: 0,
          padding: "1.5rem",
          lineHeight: 1.5,
        }}
      >
        {children}
      </body>
    </html>
  );
}
