"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/** Re-reads the receiver page every 2 s while "Live" is on, so arrivals show by themselves. */
export function ReceiverRefresh() {
  const router = useRouter();
  const [live, setLive] = useState(true);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [live, router]);
  return (
    <label className="checkbox">
      <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
      (updates every 2 s)
    </label>
  );
}
