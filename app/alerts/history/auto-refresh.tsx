"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * While some deliveries are still in flight, re-reads the page every 2 s (at
 * most 30 times), so a sent alert turns from "pending" to "sent" by itself.
 */
export function AutoRefresh({ active }: { active: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    let count = 0;
    const timer = setInterval(() => {
      count += 1;
      if (count > 30) clearInterval(timer);
      else router.refresh();
    }, 2000);
    return () => clearInterval(timer);
  }, [active, router]);
  return active ? (
    <p className="hint" role="status">
      Some deliveries are still in progress; this page updates by itself.
    </p>
  ) : null;
}
