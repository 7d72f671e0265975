"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/training", label: "Jobs" },
  { href: "/settings/alerts", label: "Settings" },
  { href: "/settings/alerts/webhooks", label: "Webhooks" },
  { href: "/settings/api-keys", label: "API keys" },
  { href: "/alerts/history", label: "History" },
];

/** The site navigation; the current page is marked for screen readers and sight. */
export function NavLinks({ localMode }: { localMode: boolean }) {
  const pathname = usePathname();
  const links = localMode
    ? [
        ...LINKS,
        { href: "/dev/outbox", label: "Outbox" },
        { href: "/dev/receiver", label: "Receiver" },
      ]
    : LINKS;
  return (
    <nav aria-label="Main">
      <ul className="nav-list">
        {links.map((link) => {
          // /settings/alerts is a prefix of /settings/alerts/webhooks: match whole paths.
          const current =
            pathname === link.href ||
            (link.href === "/dev/outbox" && pathname.startsWith("/dev/outbox/"));
          return (
            <li key={link.href}>
              <Link href={link.href} aria-current={current ? "page" : undefined}>
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
