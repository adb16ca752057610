"""Buildings on file (建筑建档, plan task 十一): each building of the grid with its appraisal
(鉴定), fire facilities, evacuation drawing, natural-risk flags and construction sites."""
