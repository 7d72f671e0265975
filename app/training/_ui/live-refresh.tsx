"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * While a job runs, re-reads the page (server-rendered, so progress, duration
 * and the chart move) every `seconds`, only while the tab is visible. Without
 * JavaScript the page is simply as of its last load.
 */
export function LiveRefresh({ active, seconds = 10 }: { active: boolean; seconds?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [active, seconds, router]);
  return active ? (
    <p className="hint" role="status">
      A job is running; this page updates itself every {seconds} s.
    </p>
  ) : null;
}
