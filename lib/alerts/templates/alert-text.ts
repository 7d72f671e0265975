import type { AlertType, SystemAlertType } from "../alert.types";
import { renderTemplate } from "./index";
import { errorTail } from "./text";

export interface AlertText {
  title: string;
  message: string;
}

/**
 * The title and plain message of an alert, as history stores them: the
 * template's title, its one-line summary and, for failures, the error's
 * informative tail (which includes the exception line). Pure.
 */
export function alertText(
  type: AlertType | SystemAlertType,
  data: Record<string, unknown>,
): AlertText {
  const view = renderTemplate(type, data, null);
  const tail = view.details && errorTail(view.details.text, { maxLines: 12, maxChars: 1500 });
  return { title: view.title, message: tail ? `${view.summary}\n${tail}` : view.summary };
}
